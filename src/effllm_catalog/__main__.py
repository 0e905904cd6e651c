"""``python -m effllm_catalog`` runs the ``effllm`` command."""

from .cli import main

main()
