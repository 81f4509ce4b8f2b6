"""``python -m api.cli`` is ``zhengzhao``."""

import sys

from api.cli.entry import main

sys.exit(main())
