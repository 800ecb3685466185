"""The frozen app's entry point: the same `photo-tagger` command as the pip-installed one."""

import multiprocessing
import sys

from photo_tagger.cli.main import main

if __name__ == "__main__":
    # the window runs library-wide work in a child process: in the frozen app the child starts
    # this same executable, which must then act as the child
    multiprocessing.freeze_support()
    sys.exit(main())
