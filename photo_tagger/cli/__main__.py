import sys

from photo_tagger.cli.main import main

sys.exit(main())
