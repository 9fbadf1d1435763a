"""deploy/: what can be checked without a Docker engine or a cluster.

The Kubernetes manifests render with `kubectl kustomize` and every object validates against
the Kubernetes API schemas (`kubernetes-validate`, offline: it ships them); the Compose file
validates against the Compose Specification's JSON schema (vendored under tests/schemas/);
every process command in the Dockerfile, compose.yaml and the manifests is the Procfile's.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.support.processes import REPO

DEPLOY = REPO / "deploy"
# Procfile process -> the name it has in compose.yaml and the Kubernetes manifests.
PROCESS_NAMES = {"release": "migrate", "web": "web", "worker": "worker", "beat": "beat"}


def procfile() -> dict[str, list[str]]:
    lines = (REPO / "Procfile").read_text().splitlines()
    return {
        name: shlex.split(command)
        for name, command in (line.split(":", 1) for line in lines if line.strip())
    }


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    output = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "k8s")], check=True, capture_output=True, text=True
    ).stdout
    return [document for document in yaml.safe_load_all(output) if document]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_the_manifests_render_every_piece(rendered: list[dict[str, Any]]) -> None:
    kinds = sorted(f"{item['kind']}/{item['metadata']['name']}" for item in rendered)
    assert kinds == [
        "ConfigMap/podops",
        "Deployment/podops-beat",
        "Deployment/podops-web",
        "Deployment/podops-worker",
        "HorizontalPodAutoscaler/podops-web",
        "Job/podops-migrate",
        "Namespace/podops",
        "PodDisruptionBudget/podops-web",
        "PodDisruptionBudget/podops-worker",
        "Secret/podops",
        "Service/podops-web",
    ]
    assert all(
        item["metadata"].get("namespace") == "podops"
        for item in rendered
        if item["kind"] != "Namespace"
    )


def test_every_rendered_object_validates_against_the_kubernetes_schemas(
    rendered: list[dict[str, Any]],
) -> None:
    for item in rendered:
        # strict: an unknown or misspelt field fails too.
        kubernetes_validate.validate(item, kubernetes_validate.latest_version(), strict=True)


def pod_specs(rendered: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Component name -> pod spec, for every Deployment and Job."""
    return {
        item["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]: item["spec"][
            "template"
        ]["spec"]
        for item in rendered
        if item["kind"] in ("Deployment", "Job")
    }


def test_every_pod_runs_as_a_user_with_limits_and_nothing_to_escalate(
    rendered: list[dict[str, Any]],
) -> None:
    for component, spec in pod_specs(rendered).items():
        assert spec["securityContext"]["runAsNonRoot"] is True, component
        assert spec["securityContext"]["runAsUser"] != 0, component
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, component
            assert context["readOnlyRootFilesystem"] is True, component
            assert context["capabilities"]["drop"] == ["ALL"], component
            assert container["resources"]["requests"]["memory"], component
            assert container["resources"]["limits"]["memory"], component


def test_web_is_probed_scaled_and_protected_and_beat_is_single(
    rendered: list[dict[str, Any]],
) -> None:
    by_name = {f"{item['kind']}/{item['metadata']['name']}": item for item in rendered}
    web = by_name["Deployment/podops-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    hpa = by_name["HorizontalPodAutoscaler/podops-web"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "podops-web"
    assert hpa["minReplicas"] >= 2
    assert by_name["PodDisruptionBudget/podops-web"]["spec"]["minAvailable"] == 1
    beat = by_name["Deployment/podops-beat"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"]["type"] == "Recreate"
    config = by_name["ConfigMap/podops"]["data"]
    grace = by_name["Deployment/podops-web"]["spec"]["template"]["spec"]
    assert grace["terminationGracePeriodSeconds"] > int(config["PODOPS_SHUTDOWN_TIMEOUT"])


def test_the_manifests_run_the_procfile_commands(rendered: list[dict[str, Any]]) -> None:
    specs = pod_specs(rendered)
    for process, command in procfile().items():
        assert specs[PROCESS_NAMES[process]]["containers"][0]["command"] == command, process


def test_compose_validates_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((REPO / "tests" / "schemas" / "compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose)
    ]
    assert errors == []


def test_compose_holds_a_whole_installation(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"web", "worker", "beat", "migrate", "postgres", "redis", "minio"} <= set(services)
    assert services["web"]["deploy"]["replicas"] == 2
    for name in ("web", "postgres", "redis", "minio"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        # Started only once the schema is migrated and the servers answer.
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
    assert services["migrate"]["restart"] == "no"
    assert set(compose["volumes"]) >= {"postgres-data", "redis-data", "minio-data"}


def test_compose_runs_the_procfile_commands(compose: dict[str, Any]) -> None:
    for process, command in procfile().items():
        assert compose["services"][PROCESS_NAMES[process]]["command"] == command, process


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_image_runs_the_procfile_web_command_as_a_user_and_checks_healthz() -> None:
    instructions = dockerfile_instructions()
    final_stage = instructions[
        max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM") :
    ]
    cmd = [json.loads(rest) for keyword, rest in final_stage if keyword == "CMD"]
    assert cmd == [procfile()["web"]]
    assert not any(keyword == "ENTRYPOINT" for keyword, _ in final_stage)
    (user,) = [rest for keyword, rest in final_stage if keyword == "USER"]
    assert user.split(":")[0] not in ("0", "root")
    (healthcheck,) = [rest for keyword, rest in final_stage if keyword == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(stages) >= 2  # multi-stage
    assert re.search(r"python:3\.\d+-slim", (DEPLOY / "Dockerfile").read_text())
    # No compiler or package installs in the final image: it only copies the venv in.
    final_runs = " ".join(rest for keyword, rest in final_stage if keyword == "RUN")
    assert not re.search(r"apt-get|apk add|gcc|build-essential|pip install", final_runs)


def test_prometheus_scrapes_the_web_and_every_worker_pod_on_a_port_they_answer(
    rendered: list[dict[str, Any]],
) -> None:
    by_name = {f"{item['kind']}/{item['metadata']['name']}": item for item in rendered}
    config = by_name["ConfigMap/podops"]["data"]
    for component in ("web", "worker"):
        template = by_name[f"Deployment/podops-{component}"]["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", component
        assert annotations["prometheus.io/path"] == "/metrics", component
        declared = {port["containerPort"] for port in template["spec"]["containers"][0]["ports"]}
        assert int(annotations["prometheus.io/port"]) in declared, component
    worker = by_name["Deployment/podops-worker"]["spec"]["template"]["metadata"]["annotations"]
    # The port the worker answers on (podops worker reads it) is the one scraped.
    assert config["PODOPS_WORKER_METRICS_PORT"] == worker["prometheus.io/port"]
    assert config["PODOPS_HOST"] == "0.0.0.0"  # not only the pod's own loopback
