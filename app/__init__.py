"""The app above the stages: the `ovavel` command line (cli.py, one group per stage) and the demo
(demo.py, every stage end to end on made-up media). The stages and the core never import it."""
