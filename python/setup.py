"""Build and install the newsdex Python package.

The extension newsdex._newsdex is linked with the static library of a build
of the repository: ../build/libnewsdex.a, or $NEWSDEX_BUILD/libnewsdex.a
(NEWSDEX_BUILD is a build folder, relative to the repository's top or
absolute).  When the library is missing, `make` is run in the repository to
build it.  Extra compiler flags may be given in $NEWSDEX_CFLAGS (the tests
add -Werror).

    python3 setup.py build_ext --inplace       # for use from this folder
    pip install ./python                        # from the repository's top
    pip install --no-build-isolation ./python   # the same, where pip insists
                                                # on fetching setuptools
"""
import os
import re
import shlex
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
HEADER = os.path.join(TOP, "include", "newsdex.h")
with open(HEADER, encoding="utf-8") as f:
    VERSION = re.search(r'#define ND_VERSION "([^"]+)"', f.read()).group(1)

# The library's dependencies, as in the Makefile's LIBS.
LIBS = ["stemmer", "utf8proc", "zstd", "jansson", "xxhash", "roaring",
        "streamvbyte", "z", "pthread", "m"]


def build_dir():
    b = os.environ.get("NEWSDEX_BUILD", "build")
    return b if os.path.isabs(b) else os.path.join(TOP, b)


def static_library():
    """The path of libnewsdex.a, made with `make` if it is not there."""
    build = build_dir()
    lib = os.path.join(build, "libnewsdex.a")
    if not os.path.exists(lib):
        rel = os.path.relpath(build, TOP)
        subprocess.check_call(["make", "-C", TOP, "BUILD=" + rel,
                               os.path.join(rel, "libnewsdex.a")])
    return lib


LIB = static_library()

extension = Extension(
    "newsdex._newsdex",
    sources=[os.path.relpath(os.path.join(HERE, "newsdex", "_newsdex.c"))],
    include_dirs=[os.path.join(TOP, "include")],
    extra_objects=[LIB],
    libraries=LIBS,
    depends=[LIB, HEADER],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra"]
    + shlex.split(os.environ.get("NEWSDEX_CFLAGS", "")),
)

setup(
    name="newsdex",
    version=VERSION,
    description="Python binding of newsdex, a search engine for news archives",
    long_description=__doc__,
    packages=["newsdex"],
    package_dir={"newsdex": os.path.relpath(os.path.join(HERE, "newsdex"))},
    ext_modules=[extension],
    python_requires=">=3.8",
    zip_safe=False,
)
