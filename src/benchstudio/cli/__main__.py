from benchstudio.cli.main import run

run()
