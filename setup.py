"""Only the package list is computed here; everything else about the build is in pyproject.toml.

``resources/`` stays at the top of the repository and ships as ``shotplanner/resources`` (mapped in
pyproject's ``package-dir``; its files are package data by the ``**/*`` glob there). pyproject's
``packages.find`` cannot name a package whose folder lies elsewhere, so the list is the found
``shotplanner*`` packages plus ``shotplanner.resources`` and its folders (setuptools wants every
importable folder listed, or it warns that it "would be ignored").
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "shotplanner.resources"

setup(packages=[
    *find_packages(include=["shotplanner*"]),
    RESOURCES,
    *(f"{RESOURCES}.{name}" for name in find_namespace_packages("resources", exclude=["*__pycache__*"])),
])
