from cfncompiler.sandbox.server import main

main()
