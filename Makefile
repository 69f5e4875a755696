# Convenience targets; each one is a thin wrapper over scripts/ (which work without make).
.PHONY: setup demo test test-3.22 test-3.40 ci test-core lint bench translations zip release clean

setup:
	bash scripts/setup.sh

demo:
	bash scripts/run-demo.sh

test:
	bash scripts/run-tests.sh

test-3.22:
	LC_TEST_QGIS_340=0 bash scripts/run-tests.sh

test-3.40:
	bash scripts/test-qgis-3.40.sh

ci:
	bash .ci/run

test-core: setup
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/core -q

lint: setup
	.venv/bin/python -m ruff check .

bench: setup
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.engine_bench

translations: setup
	.venv/bin/python scripts/update_translations.py
	lrelease i18n/land_consolidation_zh_CN.ts -qm i18n/land_consolidation_zh_CN.qm

zip:
	bash scripts/package.sh

release:
	bash scripts/package.sh --release

clean:
	rm -rf demo_output artefacts dist build .pytest_cache .ruff_cache
