"""``python -m effllm_catalog`` runs the ``effllm`` command."""

from .fastpath import main

main()
