"""Builds Polyhead: the Swift core as a static library (SwiftPM), then the C extension ``polyhead._core``
linked with it into one self-contained shared object (no Swift runtime needed where it is installed).

    pip install .                          # wheel with polyhead._core built in
    python setup.py build_ext --inplace    # puts _core*.so into python/polyhead/ for development

Needs the Swift toolchain on PATH and OpenBLAS (``apt-get install libopenblas-dev``). Metadata is in
pyproject.toml; this file only describes the build.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CompileError, PlatformError

ROOT = Path(__file__).resolve().parent
SCRATCH = ROOT / ".build-py"            # SwiftPM's build folder for Python builds
STAMP = SCRATCH / "polyhead-stamp.txt"  # source path + `swift --version` of the build in SCRATCH
PRODUCT = "PolyheadC"                   # the static library product of the C ABI
HEADER_DIR = "Sources/PolyheadC/include"

SWIFT_MISSING = "Polyhead needs the Swift toolchain (swift.org/install) on PATH"
OPENBLAS_MISSING = "Polyhead needs OpenBLAS (cblas.h, libopenblas): install OpenBLAS: apt-get install libopenblas-dev"

CBLAS_PROBE = r"""
#include <cblas.h>
int main(void) {
    float a = 1.0f, b = 2.0f, c = 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
    return c == 2.0f ? 0 : 1;
}
"""


def swift_environment():
    """The environment for SwiftPM: without CC/CXX, which break its C targets."""
    env = dict(os.environ)
    env.pop("CC", None)
    env.pop("CXX", None)
    return env


def run(command, env):
    """Runs a build command in the source root, echoing it; CompileError if it fails."""
    print(" ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise CompileError(f"command failed with exit status {result.returncode}: {command[0]} {command[1]}")


def ensure_target_folders(swift, env):
    """Creates the folders of declared targets that are missing, e.g. a test target that had no files
    when an sdist was made (an sdist cannot hold empty folders; SwiftPM rejects a missing one)."""
    dump = subprocess.run([swift, "package", "dump-package"], cwd=ROOT, env=env, capture_output=True, text=True)
    if dump.returncode != 0:
        return  # `swift build` reports the manifest's problem itself
    for target in json.loads(dump.stdout).get("targets", []):
        default = Path("Tests" if target.get("type") == "test" else "Sources") / target["name"]
        folder = ROOT / (target.get("path") or default)
        if not folder.exists():
            print(f"creating empty target folder {folder.relative_to(ROOT)}", flush=True)
            folder.mkdir(parents=True)


class SwiftBuildExt(build_ext):
    """build_ext that builds the Swift static library, compiles the bridge's C and links with swiftc."""

    def build_extension(self, ext):
        swift, swiftc = shutil.which("swift"), shutil.which("swiftc")
        if swift is None or swiftc is None:
            raise PlatformError(SWIFT_MISSING)
        self.check_openblas()
        env = swift_environment()
        library = self.build_swift_library(swift, env)
        objects = self.compiler.compile(
            ext.sources,
            output_dir=self.build_temp,
            include_dirs=[str(ROOT / HEADER_DIR)] + list(ext.include_dirs),
            extra_postargs=["-O2", "-fPIC", "-fvisibility=hidden"],
            debug=self.debug,
        )
        output = Path(self.get_ext_fullpath(ext.name))
        output.parent.mkdir(parents=True, exist_ok=True)
        # -static-stdlib: the Swift runtime goes into the extension, which then needs only libopenblas,
        # libstdc++, libgcc_s, libm and libc, and no RUNPATH into the toolchain.
        run([swiftc, "-emit-library", "-static-stdlib", "-o", output.resolve(), *[Path(o).resolve() for o in objects],
             library, "-lopenblas"], env)
        if not self.debug and shutil.which("strip"):
            run(["strip", "--strip-unneeded", output.resolve()], env)

    def check_openblas(self):
        """Compiles and links a one-line cblas_sgemm program; PlatformError with the apt-get hint if it fails."""
        with tempfile.TemporaryDirectory(prefix="polyhead-cblas-") as folder:
            source, program = Path(folder) / "probe.c", Path(folder) / "probe"
            source.write_text(CBLAS_PROBE)
            command = [*self.compiler.compiler, str(source), "-o", str(program), "-lopenblas"]
            probe = subprocess.run(command, capture_output=True, text=True)
            if probe.returncode != 0:
                raise PlatformError(f"{OPENBLAS_MISSING}\n(probe `{' '.join(command)}` said:\n{probe.stderr.strip()})")

    def build_swift_library(self, swift, env):
        """Runs `swift build` for the C-ABI product and returns the path of its static library."""
        version = subprocess.run([swift, "--version"], env=env, capture_output=True, text=True)
        stamp = f"{ROOT}\n{version.stdout}{version.stderr}"
        # A build folder made at another path or by another toolchain fails ("compiled with module cache
        # path …"): start over.
        if SCRATCH.exists() and (not STAMP.exists() or STAMP.read_text() != stamp):
            print(f"removing {SCRATCH} (made at another path or by another Swift)", flush=True)
            shutil.rmtree(SCRATCH)
        SCRATCH.mkdir(exist_ok=True)
        STAMP.write_text(stamp)
        ensure_target_folders(swift, env)
        common = ["-c", "release", "--scratch-path", SCRATCH]
        run([swift, "build", *common, "--product", PRODUCT], env)
        bin_path = subprocess.run([swift, "build", *common, "--show-bin-path"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True).stdout.strip()
        library = Path(bin_path) / f"lib{PRODUCT}.a"
        if not library.exists():
            raise CompileError(f"swift build did not produce {library}")
        return library


setup(
    package_dir={"": "python"},
    packages=find_packages(where="python"),
    package_data={"polyhead": ["datasets/*.npz", "datasets/*.txt", "py.typed"]},
    include_package_data=False,
    ext_modules=[Extension("polyhead._core", sources=sorted(str(p.relative_to(ROOT)) for p in
                                                            (ROOT / "CPythonBridge").glob("*.c")))],
    cmdclass={"build_ext": SwiftBuildExt},
    zip_safe=False,
)
