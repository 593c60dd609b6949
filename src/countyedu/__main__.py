from countyedu.cli import main

main()
