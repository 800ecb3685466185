"""The frozen app's entry point: the same `photo-tagger` command as the pip-installed one."""

import sys

from photo_tagger.cli import main

if __name__ == "__main__":
    sys.exit(main())
