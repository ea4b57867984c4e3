"""Example sävy plugin: the *.yaml files in this folder are its rule pack."""
