import sys

from factormodel.cli import main

sys.exit(main())
