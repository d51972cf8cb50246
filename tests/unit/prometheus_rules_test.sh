#!/usr/bin/env bash
# The alerting and recording rules parse, and behave as their unit tests say.
set -euo pipefail
cd "$1/deploy/k8s/observability/prometheus"
promtool check rules rules.yml
promtool test rules rules_test.yml
