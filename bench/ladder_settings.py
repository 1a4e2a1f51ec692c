"""Settings of the API ladder's gunicorn (bench/api_ladder.py): production settings, plus the L2 views' URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ladder_urls"
