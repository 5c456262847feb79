from ovavel.cli import main

main()
