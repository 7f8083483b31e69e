import sys

from bench.harness import main

sys.exit(0 if main()["ok"] else 1)
