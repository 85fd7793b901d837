from cfncompiler.cli import main

main()
