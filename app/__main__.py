import sys

from eqselect.cli import main

sys.exit(main())
