from pmo.cli import main

main()
