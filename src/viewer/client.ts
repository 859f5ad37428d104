/**
 * The viewer's browser code: a bundle list, a bundle page with a flame
 * graph per pprof profile (click a frame to zoom into it, click the root or
 * an ancestor to zoom out) and a per-thread timeline of the trace. Written
 * as one self-contained function so it is type-checked with the DOM types
 * and then sent to the browser as its source text; it loads nothing from
 * anywhere but the viewer's own `api/` routes.
 *
 * @module
 */

/**
 * The viewer page's script.
 *
 * @returns JavaScript source that runs the viewer when loaded.
 * @example
 * ```ts
 * import { clientScript } from "./client.ts";
 * console.log(clientScript().includes("api/bundles")); // true
 * ```
 */
export function clientScript(): string {
  return `(${viewerClient.toString()})();\n`;
}

// Everything below runs in the browser: it may use only its own locals.
function viewerClient(): void {
  const ROW = 18;
  const app = document.getElementById("app")!;

  type Attrs = Record<string, string>;
  function el(tag: string, attrs: Attrs = {}, children: (Node | string)[] = []): HTMLElement {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  }
  async function getJSON(url: string): Promise<any> {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${r.status}: ${await r.text()}`);
    return r.json();
  }
  function bytes(n: number): string {
    if (n < 1024) return `${n} B`;
    const units = ["KiB", "MiB", "GiB"];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return `${v.toFixed(1)} ${units[u]}`;
  }
  function amount(v: number, unit: string): string {
    if (unit === "nanoseconds") return v >= 1e9 ? `${(v / 1e9).toFixed(2)} s` : `${(v / 1e6).toFixed(1)} ms`;
    if (unit === "bytes") return bytes(v);
    return String(v);
  }
  function fail(where: HTMLElement, e: unknown): void {
    where.replaceChildren(el("p", { class: "error" }, [String(e instanceof Error ? e.message : e)]));
  }

  function route(): void {
    const h = location.hash;
    if (h.startsWith("#/b/")) void showBundle(decodeURIComponent(h.slice(4)));
    else void showList();
  }

  async function showList(): Promise<void> {
    app.replaceChildren(el("p", { class: "status" }, ["Loading bundles…"]));
    try {
      const data = await getJSON("api/bundles");
      const rows = (data.bundles as any[]).map((b) =>
        el("tr", { class: "bundle-row" }, [
          el("td", {}, [el("a", { href: `#/b/${encodeURIComponent(b.key)}`, class: "bundle-link" }, [b.capture_time || b.key])]),
          el("td", {}, [b.main ?? ""]),
          el("td", {}, [b.hostname ?? ""]),
          el("td", {}, [b.runtime ? `${b.runtime} ${b.runtime_version}` : ""]),
          el("td", { class: "num" }, [bytes(b.size)]),
          el("td", {}, [b.error ? `unreadable: ${b.error}` : b.parts ?? ""]),
          el("td", { class: "key" }, [b.key]),
        ])
      );
      app.replaceChildren(
        el("h1", {}, [`${data.bundles.length} bundle${data.bundles.length === 1 ? "" : "s"} in ${data.location}`]),
        el("table", { class: "bundles" }, [
          el("thead", {}, [el("tr", {}, ["Captured", "Main", "Host", "Runtime", "Size", "Parts", "Key"].map((h) => el("th", {}, [h])))]),
          el("tbody", {}, rows),
        ]),
      );
    } catch (e) {
      fail(app, e);
    }
  }

  async function showBundle(key: string): Promise<void> {
    app.replaceChildren(el("p", { class: "status" }, ["Loading bundle…"]));
    try {
      const b = await getJSON(`api/bundle?key=${encodeURIComponent(key)}`);
      const m = b.meta;
      const facts: [string, string][] = [
        ["main", `${m.main} ${m.revision}`],
        ["runtime", `${m.runtime} ${m.runtime_version}`],
        ["host", m.hostname],
        ["proc", m.proc_id],
        ["captured", m.capture_time],
      ];
      for (const [part, why] of Object.entries(m.skipped ?? {})) facts.push([`skipped ${part}`, String(why)]);
      const sections: HTMLElement[] = [];
      for (const entry of b.entries as { name: string; size: number; kind: string }[]) {
        if (entry.kind === "pprof") {
          const flame = el("div", { class: "flame", "data-entry": entry.name });
          const picker = el("select", { class: "sample-type" }) as HTMLSelectElement;
          const section = el("section", { class: "profile" }, [el("h2", {}, [`${entry.name} `, el("small", {}, [bytes(entry.size)])]), picker, flame]);
          sections.push(section);
          void loadFlame(key, entry.name, flame, picker, undefined);
        } else if (entry.kind === "trace") {
          const timeline = el("div", { class: "timeline" });
          sections.push(el("section", { class: "trace" }, [el("h2", {}, [`${entry.name} `, el("small", {}, [bytes(entry.size)])]), timeline]));
          void loadTrace(key, entry.name, timeline);
        }
      }
      app.replaceChildren(
        el("p", {}, [el("a", { href: "#/", class: "back" }, ["← all bundles"]), " ", el("a", { href: `api/raw?key=${encodeURIComponent(key)}` }, ["download"])]),
        el("h1", {}, [key]),
        el("dl", { class: "meta" }, facts.flatMap(([k, v]) => [el("dt", {}, [k]), el("dd", {}, [v])])),
        el("ul", { class: "entries" }, (b.entries as { name: string; size: number }[]).map((e) => el("li", {}, [`${e.name} (${bytes(e.size)})`]))),
        ...sections,
      );
    } catch (e) {
      fail(app, e);
    }
  }

  interface Frame {
    n: string;
    v: number;
    c: Frame[];
  }

  async function loadFlame(key: string, entry: string, flame: HTMLElement, picker: HTMLSelectElement, type: number | undefined): Promise<void> {
    flame.replaceChildren(el("p", { class: "status" }, ["Loading…"]));
    try {
      const q = `api/flame?key=${encodeURIComponent(key)}&entry=${encodeURIComponent(entry)}${type === undefined ? "" : `&type=${type}`}`;
      const g = await getJSON(q);
      picker.replaceChildren(...(g.sampleTypes as string[]).map((t, i) => {
        const o = el("option", { value: String(i) }, [t]) as HTMLOptionElement;
        o.selected = i === g.sampleType;
        return o;
      }));
      picker.onchange = () => void loadFlame(key, entry, flame, picker, Number(picker.value));
      const unit = String(g.sampleTypes[g.sampleType] ?? "/").split("/")[1] ?? "";
      if (g.root.v === 0) {
        flame.replaceChildren(el("p", { class: "status" }, ["No samples."]));
        return;
      }
      renderFlame(flame, g.root, "", unit);
    } catch (e) {
      fail(flame, e);
    }
  }

  function renderFlame(container: HTMLElement, root: Frame, zoom: string, unit: string): void {
    const frames: HTMLElement[] = [];
    const total = root.v;
    const addFrame = (node: Frame, path: string, depth: number, left: number, width: number, ancestor: boolean) => {
      const pct = ((node.v / total) * 100).toFixed(2);
      const f = el("div", {
        class: ancestor ? "frame ancestor" : "frame",
        "data-path": path,
        title: `${node.n}\n${amount(node.v, unit)} (${pct}%)`,
        style: `left:${left}%;width:${width}%;top:${depth * ROW}px`,
      }, [node.n]);
      f.onclick = () => renderFlame(container, root, path, unit);
      frames.push(f);
    };
    // The path to the zoomed frame: its ancestors are drawn full width.
    let node = root;
    let depth = 0;
    const parts = zoom === "" ? [] : zoom.split(".").map(Number);
    let path = "";
    for (const i of parts) {
      addFrame(node, path, depth++, 0, 100, true);
      const next = node.c[i];
      if (next === undefined) break;
      node = next;
      path = path === "" ? String(i) : `${path}.${i}`;
    }
    let maxDepth = depth;
    const work: [Frame, string, number, number, number][] = [[node, path, depth, 0, 100]];
    while (work.length > 0) {
      const [n, p, d, left, width] = work.pop()!;
      addFrame(n, p, d, left, width, false);
      maxDepth = Math.max(maxDepth, d);
      let x = left;
      n.c.forEach((child, i) => {
        const w = n.v === 0 ? 0 : (child.v / n.v) * width;
        // Frames narrower than a pixel or so add nothing but DOM nodes.
        if (w >= 0.1) work.push([child, p === "" ? String(i) : `${p}.${i}`, d + 1, x, w]);
        x += w;
      });
    }
    container.dataset.zoom = zoom;
    container.style.height = `${(maxDepth + 1) * ROW}px`;
    container.replaceChildren(...frames);
  }

  async function loadTrace(key: string, entry: string, where: HTMLElement): Promise<void> {
    where.replaceChildren(el("p", { class: "status" }, ["Loading…"]));
    try {
      const t = await getJSON(`api/trace?key=${encodeURIComponent(key)}&entry=${encodeURIComponent(entry)}`);
      const lanes = (t.lanes as { name: string; events: { n: string; cat: string; ts: number; d: number; depth: number }[] }[]).map((lane) => {
        const depth = lane.events.reduce((m, e) => Math.max(m, e.depth), 0);
        const body = el("div", { class: "lane-body", style: `height:${(depth + 1) * 14}px` }, lane.events.map((e) =>
          el("div", {
            class: "ev",
            title: `${e.n} (${e.cat})\n${(e.d / 1000).toFixed(3)} ms at ${(e.ts / 1000).toFixed(3)} ms`,
            style: `left:${(e.ts / t.duration) * 100}%;width:${(e.d / t.duration) * 100}%;top:${e.depth * 14}px`,
          }, [e.n])
        ));
        return el("div", { class: "lane" }, [el("div", { class: "lane-name" }, [lane.name]), body]);
      });
      where.replaceChildren(
        el("p", { class: "status" }, [`${(t.duration / 1000).toFixed(1)} ms, ${lanes.length} threads${t.dropped ? `, ${t.dropped} short events left out` : ""}`]),
        ...lanes,
      );
    } catch (e) {
      fail(where, e);
    }
  }

  globalThis.addEventListener("hashchange", route);
  route();
}
