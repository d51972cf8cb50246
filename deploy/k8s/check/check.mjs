// Checks rendered Kubernetes manifests offline: every object against the API schemas of
// kubernetes-models, then the rules the platform relies on (PodSecurity "restricted",
// probes on the port the program listens on, a PDB, an HPA and NetworkPolicies for every
// Deployment, hashed ConfigMaps, pinned images, no secret values in git).
//
//   node check.mjs OVERLAY=RENDERED.yaml ...   (tests/unit/k8s_manifests_test.sh)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

async function validate(where, object) {
  // kubectl folds long base64 over lines, which the API server's decoder accepts.
  if (object.kind === "Secret" && object.data) {
    object = { ...object, data: Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s/g, "")])) };
  }
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : [null, object.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    return fail(where, `${object.apiVersion} ${object.kind} is not a Kubernetes API kind`);
  }
  try {
    new Model(object).validate();
  } catch (e) {
    fail(where, `does not match the ${object.kind} schema: ${e.message}`);
  }
}

const selects = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) =>
    e.operator === "In" ? e.values.includes(labels[e.key]) : true);

function checkPod(where, spec, objects) {
  const pod = spec.template.spec;
  const security = pod.securityContext ?? {};
  if (security.runAsNonRoot !== true) fail(where, "pod does not set runAsNonRoot");
  if (security.seccompProfile?.type !== "RuntimeDefault") fail(where, "pod seccomp is not RuntimeDefault");
  if (pod.automountServiceAccountToken !== false) fail(where, "pod mounts a service account token");
  const account = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === pod.serviceAccountName);
  if (!pod.serviceAccountName || !account) fail(where, "has no ServiceAccount of its own");
  else if (account.automountServiceAccountToken !== false) fail(where, "its ServiceAccount mounts a token");
  for (const c of pod.containers) {
    const at = `${where} container ${c.name}`;
    const s = c.securityContext ?? {};
    if (s.allowPrivilegeEscalation !== false) fail(at, "allows privilege escalation");
    if (s.readOnlyRootFilesystem !== true) fail(at, "root filesystem is writable");
    if (!(s.capabilities?.drop ?? []).includes("ALL")) fail(at, "does not drop ALL capabilities");
    if ((s.capabilities?.add ?? []).length) fail(at, "adds capabilities");
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) fail(at, "has no requests");
    if (!c.resources?.limits?.memory || !c.resources?.limits?.cpu) fail(at, "has no limits");
    if (!/^[^:]+(:[^:]+)$/.test(c.image.replace(/^[^/]+:\d+\//, "")) || c.image.endsWith(":latest"))
      fail(at, `image ${c.image} is not pinned to a tag`);
    for (const ref of c.envFrom ?? []) {
      const name = ref.configMapRef?.name;
      if (name && !objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === name))
        fail(at, `reads ConfigMap ${name}, which is not rendered`);
      if (name && !/-[a-z0-9]{10}$/.test(name)) fail(at, `ConfigMap ${name} is not hashed: a change would not roll the pods`);
    }
  }
}

function checkDeployment(where, d, objects) {
  const labels = d.spec.template.metadata.labels;
  const c = d.spec.template.spec.containers[0];
  const ports = (c.ports ?? []).map((p) => p.containerPort);
  const named = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  // The program listens where its *_LISTEN variable says; its probes must ask there.
  const listen = (c.env ?? []).find((e) => /^DIALOGUE_[A-Z]+_LISTEN$/.test(e.name));
  const listenPort = listen ? Number(listen.value.split(":").pop()) : null;
  for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const probe = c[kind];
    if (!probe) { fail(where, `has no ${kind}`); continue; }
    const handler = probe.grpc ?? probe.httpGet ?? probe.tcpSocket ?? probe.exec;
    if (!handler) { fail(where, `${kind} has no handler`); continue; }
    if (probe.exec) continue;
    const port = typeof handler.port === "string" ? named[handler.port] : handler.port;
    if (!ports.includes(port)) fail(where, `${kind} asks port ${handler.port}, which the container does not expose`);
    if (listenPort !== null && port !== listenPort) fail(where, `${kind} asks port ${port} but the program listens on ${listenPort}`);
  }
  if (c.livenessProbe?.grpc && c.livenessProbe.grpc.service !== "liveness")
    fail(where, "liveness asks the readiness status: a database outage would restart every pod");
  if (!d.spec.template.spec.topologySpreadConstraints?.length) fail(where, "is not spread across nodes");
  if (!objects.some((o) => o.kind === "PodDisruptionBudget" && selects(o.spec.selector, labels)))
    fail(where, "has no PodDisruptionBudget");
  if (!objects.some((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.kind === "Deployment" && o.spec.scaleTargetRef.name === d.metadata.name))
    fail(where, "has no HorizontalPodAutoscaler");
  const policies = objects.filter((o) => o.kind === "NetworkPolicy" && selects(o.spec.podSelector, labels));
  if (!policies.some((p) => Object.keys(p.spec.podSelector?.matchLabels ?? {}).length && (p.spec.policyTypes ?? []).includes("Ingress")))
    fail(where, "has no NetworkPolicy of its own saying who may reach it");
  // A gRPC program's own variables, not another's (a copied manifest once set those).
  const program = d.metadata.name.toUpperCase();
  if (named.grpc) {
    for (const own of [`DIALOGUE_${program}_LISTEN`, `DIALOGUE_${program}_PG_URI`])
      if (!(c.env ?? []).some((e) => e.name === own)) fail(where, `does not set ${own}`);
  }
  for (const e of c.env ?? []) {
    const m = /^DIALOGUE_([A-Z]+)_(LISTEN|PG_URI)$/.exec(e.name);
    if (m && m[1] !== program) fail(where, `sets ${e.name}, another program's variable`);
  }
}

function checkOverlay(overlay, objects) {
  const namespaces = objects.filter((o) => o.kind === "Namespace");
  if (!namespaces.some((n) => n.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "restricted"))
    fail(overlay, "has no Namespace enforcing PodSecurity restricted");
  const denyAll = objects.find((o) => o.kind === "NetworkPolicy" && Object.keys(o.spec.podSelector ?? {}).length === 0 &&
    !o.spec.ingress && !o.spec.egress && ["Ingress", "Egress"].every((t) => (o.spec.policyTypes ?? []).includes(t)));
  if (!denyAll) fail(overlay, "has no default-deny NetworkPolicy");
  for (const o of objects) {
    const where = `${overlay} ${o.kind}/${o.metadata?.name}`;
    try {
      checkObject(where, o, objects);
    } catch (e) {
      fail(where, `cannot be checked (${e.message}): a field the rules need is missing`);
    }
  }
  if (overlay === "province" && objects.some((o) => o.kind === "Secret"))
    fail(overlay, "renders a Secret: a province's secrets come from its secret store");
}

function checkObject(where, o, objects) {
  {
    if (o.kind === "Deployment") checkDeployment(where, o, objects);
    if (["Deployment", "StatefulSet", "Job"].includes(o.kind)) checkPod(where, o.spec, objects);
    if (o.kind === "Job" && !(o.spec.ttlSecondsAfterFinished > 0)) fail(where, "is not cleaned up for the next release");
    if (o.kind === "Service") {
      const grpc = (o.spec.ports ?? []).some((p) => p.name === "grpc");
      if (grpc && o.spec.clusterIP !== "None") fail(where, "is a gRPC Service but not headless: clients could not balance");
    }
    if (o.kind === "Deployment" && o.spec.template.spec.containers[0].env?.some((e) => /_ADDR$/.test(e.name) && !e.value?.startsWith("dns:///")))
      fail(where, "names a gRPC upstream without dns:/// (the balancer needs every address)");
  }
}

// No secret value in git: no Secret with data, no secretGenerator with literal values.
function checkRepository(root) {
  const files = execFileSync("git", ["ls-files", "deploy"], { cwd: root, encoding: "utf8" }).split("\n")
    .filter((f) => /\.ya?ml$/.test(f));
  for (const file of files) {
    let docs;
    try {
      docs = yaml.loadAll(readFileSync(path.join(root, file), "utf8"));
    } catch {
      continue;  // not YAML of objects (a collector's or Prometheus's own file that is)
    }
    for (const doc of docs) {
      if (doc?.kind === "Secret" && (doc.data || doc.stringData)) fail(file, "holds a Secret's values");
      for (const g of doc?.secretGenerator ?? []) {
        if (g.literals?.length) fail(file, `secretGenerator ${g.name} has literal values`);
        for (const env of g.envs ?? []) {
          const tracked = execFileSync("git", ["ls-files", path.join(path.dirname(file), env)], { cwd: root, encoding: "utf8" });
          if (tracked.trim()) fail(file, `secretGenerator ${g.name} reads ${env}, which git tracks`);
        }
      }
    }
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let count = 0;
for (const argument of process.argv.slice(2)) {
  const [overlay, file] = argument.split("=");
  const objects = yaml.loadAll(readFileSync(file, "utf8")).filter(Boolean);
  for (const o of objects) await validate(`${overlay} ${o.kind}/${o.metadata?.name}`, o);
  checkOverlay(overlay, objects);
  count += objects.length;
  console.log(`${overlay}: ${objects.length} objects`);
}
checkRepository(root);
for (const f of failures) console.log(`FAIL ${f}`);
console.log(failures.length ? `${failures.length} failures` : `ok: ${count} objects valid`);
process.exit(failures.length ? 1 : 0);
