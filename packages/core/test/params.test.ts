import { describe, expect, it } from "vitest";
import { InputError } from "../src/base/errors.js";
import { encodePathSegment, mapRequest } from "../src/upstream/params.js";

describe("parameter mapping", () => {
  it("maps path, query, header and body arguments", () => {
    const req = mapRequest(
      {
        method: "POST",
        path: "/environment/{environmentId}/container",
        params: {
          environmentId: "path",
          project: "query",
          allProjects: { in: "query", as: "all-projects" },
          trace: { in: "header", as: "x-trace" },
          name: "body",
          tag: "body",
        },
        fixedQuery: { recursion: "1" },
      },
      { environmentId: "e1", project: "p", allProjects: true, trace: "t", name: "n", tag: "1.0" },
    );
    expect(req).toEqual({
      method: "POST",
      path: "/environment/e1/container",
      query: { recursion: "1", project: "p", "all-projects": "true" },
      headers: { "x-trace": "t" },
      body: { name: "n", tag: "1.0" },
    });
  });

  it("uses a whole argument as the body when bodyArg is set", () => {
    const req = mapRequest(
      { method: "POST", path: "/x/{id}", params: { id: "path" }, bodyArg: "body" },
      {
        id: "1",
        body: { a: [1] },
      },
    );
    expect(req.body).toEqual({ a: [1] });
  });

  it.each([
    ["../x", "%2E%2E%2Fx"],
    ["a?b", "a%3Fb"],
    ["a/b", "a%2Fb"],
    ["a#b", "a%23b"],
    ["v1.2", "v1%2E2"],
  ])("encodes %s as one segment (%s) that cannot change the path", (value, encoded) => {
    expect(encodePathSegment("id", value)).toBe(encoded);
    const url = new URL(`/api/containers/${encodePathSegment("id", value)}/json`, "http://h");
    expect(url.pathname.startsWith("/api/containers/")).toBe(true);
    expect(url.pathname.endsWith("/json")).toBe(true);
    expect(url.search).toBe("");
    expect(url.pathname.split("/")).toHaveLength(5);
  });

  it.each([".", "..", "%2e%2E", "", undefined])("refuses %s as a path value, naming the field", (value) => {
    expect(() => encodePathSegment("containerId", value)).toThrow(InputError);
    expect(() => encodePathSegment("containerId", value)).toThrow(/"containerId"/);
  });

  it("omits undefined and false query values", () => {
    const req = mapRequest({ method: "GET", path: "/ops", params: { a: "query", b: "query" } }, { a: false });
    expect(req.query).toEqual({});
  });
});
