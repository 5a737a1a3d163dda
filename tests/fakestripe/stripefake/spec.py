"""Loads the OpenAPI description and answers questions about it.

Everything the fake knows about "which URLs exist", "which parameters an operation takes" and
"what an object looks like" comes from here, so refreshing the spec file refreshes the fake.
"""
import json
import os
import re

DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "spec", "openapi-subset.json")

EXTRA_SPEC = os.path.join(os.path.dirname(DEFAULT_SPEC), "extra-paths.json")

FORM = "application/x-www-form-urlencoded"


class Operation:
    """One (method, spec path) pair with a merged parameter schema."""

    def __init__(self, method, path, op):
        self.method = method
        self.path = path
        self.op = op
        self.path_params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        self.params_schema = self._merged_schema(op)
        self.response_schema = (op.get("responses", {}).get("200", {}).get("content", {})
                                .get("application/json", {}).get("schema"))

    @staticmethod
    def _merged_schema(op):
        # Query parameters and the form body are validated the same way, as one object schema:
        # GET/DELETE carry their params in the query string, POST in the body.
        props, required = {}, []
        for p in op.get("parameters", []):
            if p["in"] != "query":
                continue
            props[p["name"]] = p.get("schema", {})
            if p.get("required"):
                required.append(p["name"])
        body = (op.get("requestBody", {}).get("content", {}).get(FORM, {}).get("schema") or {})
        props.update(body.get("properties", {}))
        required.extend(body.get("required", []))
        return {"type": "object", "properties": props, "required": required,
                "additionalProperties": False}


class Spec:
    def __init__(self, path=DEFAULT_SPEC, extra=EXTRA_SPEC):
        with open(path, "r", encoding="utf-8") as f:
            self.doc = json.load(f)
        if extra and os.path.exists(extra):
            self._merge(extra)
        self.schemas = self.doc["components"]["schemas"]
        self.operations = {}      # (METHOD, spec_path) -> Operation
        self._routes = []         # (regex, spec_path, literal_segment_count)
        for spec_path, ops in self.doc["paths"].items():
            for method, op in ops.items():
                self.operations[(method.upper(), spec_path)] = Operation(method.upper(), spec_path, op)
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(spec_path)) + "$"
            literal = sum(1 for seg in spec_path.split("/") if seg and not seg.startswith("{"))
            self._routes.append((re.compile(regex), spec_path, literal))
        # Literal paths win over templated ones: /v1/customers/search is not customer "search".
        self._routes.sort(key=lambda r: -r[2])

    def _merge(self, extra):
        """Operations we described ourselves (spec/extra-paths.json, see ORIGIN.md). The main file
        wins wherever both describe the same operation or schema."""
        with open(extra, "r", encoding="utf-8") as f:
            more = json.load(f)
        for spec_path, ops in more.get("paths", {}).items():
            mine = self.doc["paths"].setdefault(spec_path, {})
            for method, op in ops.items():
                mine.setdefault(method, op)
        for name, schema in more.get("components", {}).get("schemas", {}).items():
            self.doc["components"]["schemas"].setdefault(name, schema)

    def match_path(self, url_path):
        """Return (spec_path, [path values]) or (None, None)."""
        for regex, spec_path, _ in self._routes:
            m = regex.match(url_path)
            if m:
                return spec_path, list(m.groups())
        return None, None

    def operation(self, method, spec_path):
        return self.operations.get((method, spec_path))

    def has_path(self, spec_path):
        return spec_path in self.doc["paths"]

    # -- component schemas -------------------------------------------------------------------

    def schema_for_object(self, object_name):
        return self.schemas.get(object_name)

    def required_fields(self, object_name):
        sc = self.schemas.get(object_name) or {}
        return sc.get("required", [])

    def property_schema(self, object_name, field):
        sc = self.schemas.get(object_name) or {}
        return sc.get("properties", {}).get(field)

    def expandable_target(self, object_name, field):
        """Name of the schema a field expands to, or None if it is not an id-or-object field.

        Stripe marks such fields as anyOf(string id, $ref object)."""
        cache = self.__dict__.setdefault("_expandable", {})   # asked per object of a page
        key = (object_name, field)
        if key not in cache:
            cache[key] = self._expandable_target(object_name, field)
        return cache[key]

    def _expandable_target(self, object_name, field):
        prop = self.property_schema(object_name, field)
        if not prop:
            return None
        alts = prop.get("anyOf") or []
        has_string = any(a.get("type") == "string" for a in alts)
        refs = [a["$ref"].rsplit("/", 1)[-1] for a in alts if "$ref" in a]
        if has_string and refs:
            return refs[0]
        return None
