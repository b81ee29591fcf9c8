"""Rules as data: framework YAML files (one per state system), the index model library, and
the pydantic schema and loader (:mod:`kit.frameworks.loader`). The engines that apply the
rules live in :mod:`kit.accountability`."""
