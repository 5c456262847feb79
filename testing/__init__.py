"""Test and demo doubles, one home above the stages (the core and the stages never import it):
a loopback media server standing in for YouTube, synthetic videos that encode their own time,
synthetic features, a person's Label Studio session without a browser, scripted annotators, and a
person at Label Studio's page played by headless Chromium. Used by the tests, the benchmarks and
`ovavel demo`."""
