"""Execute report notebooks in warm kernels: start once, run many, reset between reports.

Plain papermill pays for a new kernel, a fresh interpreter and every import (pandas,
matplotlib, DuckDB, the kit) on every report. A :class:`WarmKernel` keeps one kernel alive
per worker process and runs each report's cells in it after clearing the user namespace
(``%reset -f``) and closing figures, so a report cannot see what the previous one left
behind. Parameters are injected exactly as papermill does (a cell tagged
``injected-parameters`` after the ``parameters`` cell), so any job can still be run by plain
papermill with the same parameter file.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from kit.errors import RenderError

# Run before each report, hidden from the output: a clean namespace and no open figures.
# ``%reset -f`` ends with a full garbage collection, which walks every object of the
# kernel (pandas, matplotlib, DuckDB, the kit: about 0.14 s of CPU a report). What is still
# alive after it (modules, caches) is moved to the collector's permanent generation
# (``gc.freeze``), so the next report's collection walks only what that report made.
_RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
    "import gc as _gc\n_gc.freeze()\ndel _gc"
)
_WARMUP = "import kit, pandas, matplotlib, matplotlib.pyplot, duckdb"


def ipc_kernel_manager_class():
    """A kernel manager that talks to its kernel over local IPC sockets, not TCP ports."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # Socket files in a private folder: kernels started at once by several workers
            # in the same working directory would otherwise pick the same names.
            kwargs.setdefault("ip", os.path.join(tempfile.mkdtemp(prefix="kit-kernel-"), "k"))
            super().__init__(**kwargs)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)

    return IPCKernelManager


def parameterize(nb: nbformat.NotebookNode, parameters: dict) -> nbformat.NotebookNode:
    """Inject ``parameters`` the way papermill does (a new cell after the parameters cell)."""
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # papermill expects every cell to carry a tags list
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    return parameterize_notebook(
        nb, parameters, report_mode=False, kernel_name="python3", language="python"
    )


class WarmKernel:
    """One long-lived kernel that executes notebook after notebook.

    Parameters
    ----------
    timeout
        Seconds a single cell may run before the report fails.
    workdir
        The kernel's working directory (reports use absolute paths).
    """

    def __init__(self, timeout: int = 600, workdir: str | Path | None = None) -> None:
        self.timeout = timeout
        self.workdir = str(workdir or os.getcwd())
        self.km = None
        self.kc = None
        self.runs = 0

    def _client(self, nb: nbformat.NotebookNode):
        from nbclient import NotebookClient

        if self.km is None:
            self.km = ipc_kernel_manager_class()(kernel_name="python3")
        client = NotebookClient(
            nb,
            km=self.km,
            timeout=self.timeout,
            allow_errors=False,
            record_timing=False,
            resources={"metadata": {"path": self.workdir}},
        )
        client.kc = self.kc  # reuse the connected client: no new channels per report
        return client

    def run(
        self, nb: nbformat.NotebookNode, parameters: dict, workdir: str | Path | None = None
    ) -> nbformat.NotebookNode:
        """Execute ``nb`` with ``parameters`` in a clean namespace; return the executed copy.

        Raises
        ------
        RenderError
            A cell raised (``cell`` is its number among the notebook's code cells), or the
            kernel died or timed out (``transient`` is then true: worth one retry).
        """
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        nb = parameterize(nb, parameters)
        code = _RESET if self.runs else _WARMUP + "\n" + _RESET
        if workdir is not None:
            # Each report runs in its own temporary working directory; move there first,
            # since the last report's directory is gone.
            code = f"import os as _os\n_os.chdir({str(workdir)!r})\ndel _os\n" + code
        reset = nbformat.v4.new_code_cell(code)
        reset.metadata["tags"] = ["remove-cell", "kit-reset"]
        nb.cells.insert(0, reset)
        client = self._client(nb)
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            cell = _failing_cell(nb)
            raise RenderError(f"cell {cell} raised {exc.ename}: {exc.evalue}", cell=cell) from None
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            self.shutdown()
            err = RenderError(f"the kernel {type(exc).__name__}: {str(exc).splitlines()[0]}")
            err.transient = True
            raise err from None
        finally:
            self.kc = client.kc
        self.runs += 1
        nb.cells = [c for c in nb.cells if "kit-reset" not in c.metadata.get("tags", [])]
        return nb

    @property
    def pid(self) -> int | None:
        """Process id of the running kernel, if any (for memory figures)."""
        try:
            return self.km.provisioner.process.pid
        except AttributeError:
            return None

    def shutdown(self) -> None:
        """Stop the kernel (a new one starts on the next run)."""
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # a dead kernel's channels may already be gone
                pass
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                pass
        self.km = self.kc = None
        self.runs = 0

    def kill(self) -> None:
        """Kill the kernel process at once and remove its socket folder; safe in a signal
        handler (no event loop, no messages). For a batch being stopped."""
        import signal

        km = self.km  # read once: the main thread may be shutting the kernel down
        if km is None:
            return
        with contextlib.suppress(AttributeError, OSError, TypeError):
            os.kill(km.provisioner.process.pid, signal.SIGKILL)
        with contextlib.suppress(AttributeError, OSError, TypeError):
            shutil.rmtree(os.path.dirname(km.ip), ignore_errors=True)
            os.unlink(km.connection_file)


def _failing_cell(nb: nbformat.NotebookNode) -> int:
    """1-based number of the failing code cell, counted in the report notebook as written
    (the reset and injected-parameters cells left out)."""
    skip = {"kit-reset", "injected-parameters"}
    code = [
        c for c in nb.cells if c.cell_type == "code" and not skip & set(c.metadata.get("tags", []))
    ]
    for i, cell in enumerate(code, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return 0


_KERNEL: WarmKernel | None = None


def process_kernel() -> WarmKernel:
    """The warm kernel of this worker process (started on first use, reused after)."""
    global _KERNEL
    if _KERNEL is None:
        import atexit
        from multiprocessing import util

        _KERNEL = WarmKernel()
        atexit.register(_KERNEL.shutdown)
        # Pool workers leave through multiprocessing's exit path, which skips atexit.
        util.Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)
    return _KERNEL
