# Scrapes a Prometheus text endpoint and parses it with Debian's python3-prometheus-client, for
# tests/LogAgent.Tests/Prometheus/PrometheusScrapeTests.cs.
# argv[1]: the URL. Prints one JSON object: {"content_type": ..., "families": [{"name", "type", "documentation",
# "samples": [{"name", "labels", "value"}]}]}. A body the parser rejects makes it exit non-zero with the error.
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

with urllib.request.urlopen(sys.argv[1], timeout=20) as response:
    content_type = response.headers.get('Content-Type')
    text = response.read().decode('utf-8')

families = []
for family in text_string_to_metric_families(text):
    families.append({
        'name': family.name,
        'type': family.type,
        'documentation': family.documentation,
        'samples': [{'name': s.name, 'labels': s.labels, 'value': s.value} for s in family.samples],
    })
print(json.dumps({'content_type': content_type, 'families': families}))
