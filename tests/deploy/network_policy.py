"""Reads the NetworkPolicies of a kustomization as Kubernetes applies them, without a cluster: a pod
is isolated for ingress once any policy with policyType Ingress selects it, and then admits the union
of those policies' rules (an empty `from` or `ports` admits every source or port). The checks return
the problems they find, so their own tests can show that each one fails."""


def selects(selector, labels):
    """A label selector's matchLabels against a pod's labels; an empty selector selects every pod."""
    match = (selector or {}).get("matchLabels") or {}
    if (selector or {}).get("matchExpressions"):
        raise ValueError("matchExpressions are not read by this check; use matchLabels")
    return all(labels.get(k) == v for k, v in match.items())


def pods(objects):
    """(name, labels, {port name: number}) of every pod template: Deployments and KafkaBridges."""
    out = []
    for o in objects:
        if o["kind"] == "Deployment":
            t = o["spec"]["template"]
            ports = {p.get("name", str(p["containerPort"])): p["containerPort"]
                     for c in t["spec"]["containers"] for p in c.get("ports", [])}
            out.append((o["metadata"]["name"], t["metadata"].get("labels", {}), ports))
        elif o["kind"] == "KafkaBridge":
            labels = o["spec"].get("template", {}).get("pod", {}).get("metadata", {}).get("labels", {})
            out.append((o["metadata"]["name"] + "-bridge", labels, {"http": o["spec"]["http"]["port"]}))
    return out


def ingress_policies(objects, labels):
    return [p for p in objects if p["kind"] == "NetworkPolicy"
            and "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
            and selects(p["spec"]["podSelector"], labels)]


def ingress_rules(objects, labels):
    return [r for p in ingress_policies(objects, labels) for r in p["spec"].get("ingress") or []]


def unisolated(objects):
    """Pods (of Deployments, KafkaBridges and Services) no ingress policy selects."""
    names = [n for n, labels, _ in pods(objects) if not ingress_policies(objects, labels)]
    for svc in (o for o in objects if o["kind"] == "Service"):
        sel = {"matchLabels": svc["spec"].get("selector") or {}}
        for n, labels, _ in pods(objects):
            if sel["matchLabels"] and selects(sel, labels) and not ingress_policies(objects, labels):
                names.append(f"Service {svc['metadata']['name']} -> {n}")
    return names


def _port_numbers(rule, ports):
    """The numbers a rule's ports mean in a pod, or None when the rule admits every port."""
    if not rule.get("ports"):
        return None
    return {p["port"] if isinstance(p["port"], int) else ports.get(p["port"]) for p in rule["ports"]}


def only_from_pods(objects, target_labels, target_ports, allowed_port, client_labels, required_client_labels):
    """Problems with a pod admitting anything but pods of its own namespace that carry
    required_client_labels (which client_labels, the real client's, must have) on allowed_port."""
    problems = []
    rules = ingress_rules(objects, target_labels)
    if not ingress_policies(objects, target_labels):
        problems.append("no ingress policy selects the pod: every source is admitted")
    for i, rule in enumerate(rules):
        ports = _port_numbers(rule, target_ports)
        if ports != {allowed_port}:
            problems.append(f"rule {i} admits ports {sorted(ports) if ports else 'all'}, not only {allowed_port}")
        peers = rule.get("from") or []
        if not peers:
            problems.append(f"rule {i} admits every source")
        for peer in peers:
            if "ipBlock" in peer or "namespaceSelector" in peer:
                problems.append(f"rule {i} admits {sorted(peer)} (other namespaces or addresses)")
                continue
            match = (peer.get("podSelector") or {}).get("matchLabels") or {}
            if any(match.get(k) != v for k, v in required_client_labels.items()):
                problems.append(f"rule {i} admits pods {match}, which need not be {required_client_labels}")
    if not any(selects(peer.get("podSelector"), client_labels)
               for r in rules for peer in r.get("from") or [] if "podSelector" in peer):
        problems.append("the client pods are not admitted")
    return problems


def only_from_scraper(objects, target_labels, target_ports, allowed_port):
    """Problems with a pod admitting anything but named pods in a named namespace on allowed_port."""
    problems = []
    rules = ingress_rules(objects, target_labels)
    if not ingress_policies(objects, target_labels):
        problems.append("no ingress policy selects the pod: every source is admitted")
    if not rules:
        problems.append("nothing is admitted: the scraper cannot reach the port")
    for i, rule in enumerate(rules):
        ports = _port_numbers(rule, target_ports)
        if ports != {allowed_port}:
            problems.append(f"rule {i} admits ports {sorted(ports) if ports else 'all'}, not only {allowed_port}")
        peers = rule.get("from") or []
        if not peers:
            problems.append(f"rule {i} admits every source")
        for peer in peers:
            ns = (peer.get("namespaceSelector") or {}).get("matchLabels")
            pod = (peer.get("podSelector") or {}).get("matchLabels")
            if "ipBlock" in peer or not ns or not pod:
                problems.append(f"rule {i} peer {peer} is not one namespace's labelled pods")
    return problems
