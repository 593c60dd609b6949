from countyedu.cli import entry

entry()
