from ovavel.app.cli import main

main()
