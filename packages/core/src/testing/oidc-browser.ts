import type http from "node:http";

/** The browser and the request body of the test identity provider's sign-in (see oidc.ts). */

/** The user agent's part: follows nothing by itself, keeps the provider's cookies. */
export class Browser {
  readonly #cookies = new Map<string, string>();

  #cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  #keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split("=")[1] ?? "") < Date.now());
      if (!value || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  async get(url: string): Promise<string> {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: this.#cookieHeader() } });
    this.#keep(res);
    const location = res.headers.get("location");
    if (!location) throw new Error(`expected a redirect from ${url}, got ${res.status}: ${await res.text()}`);
    return location;
  }

  async getText(url: string): Promise<string> {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: this.#cookieHeader() } });
    this.#keep(res);
    return res.text();
  }

  async post(url: string, form: Record<string, string>): Promise<string> {
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: this.#cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    this.#keep(res);
    const location = res.headers.get("location");
    if (!location) throw new Error(`expected a redirect from ${url}, got ${res.status}: ${await res.text()}`);
    return location;
  }
}

export function readText(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
