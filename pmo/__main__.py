from pmo._entry import main

main()
