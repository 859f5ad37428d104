/**
 * The few S3 calls autoprof needs (PUT, HEAD, GET, ListObjectsV2, DELETE),
 * signed with aws4fetch's SigV4 signer and sent through an injectable
 * `fetch`. No retries here: the sink decides what to retry.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import { type ListPage, parseListObjectsV2 } from "./_s3_list.ts";

/** A `fetch` that takes a signed `Request`. */
export type FetchLike = (request: Request) => Promise<Response>;

/** Connection settings for {@linkcode S3Client}. */
export interface S3ClientOptions {
  /** Endpoint URL, e.g. `https://s3.us-east-1.amazonaws.com` or `http://127.0.0.1:7480`. */
  endpoint: string;
  /** Region used for signing. */
  region: string;
  /** Bucket name. */
  bucket: string;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token for temporary credentials. */
  sessionToken?: string;
  /**
   * Path-style URLs (`endpoint/bucket/key`) rather than virtual-hosted ones
   * (`bucket.endpoint/key`). Most S3-compatible servers need path style.
   * @default {true}
   */
  pathStyle?: boolean;
  /**
   * The `fetch` to send requests with.
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /**
   * Per-request time limit in milliseconds; 0: none.
   * @default {60000}
   */
  timeoutMs?: number;
}

/**
 * An error response from S3, with S3's error code (for example
 * `SignatureDoesNotMatch`, `AccessDenied`, `NoSuchBucket`).
 */
export class S3Error extends Error {
  /** HTTP status. */
  readonly status: number;
  /** S3's `<Code>`, or a name derived from the status when the body has none. */
  readonly code: string;
  /** S3's `<RequestId>`, if any. */
  readonly requestId: string | undefined;

  /**
   * @param message Full message.
   * @param details Status, code and request id.
   */
  constructor(message: string, details: { status: number; code: string; requestId?: string }) {
    super(message);
    this.name = "S3Error";
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

/** One object from a listing. */
export interface S3Object {
  /** The object's key. */
  key: string;
  /** Size in bytes. */
  size: number;
}

const STATUS_CODES: Record<number, string> = {
  400: "BadRequest",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalError",
  501: "NotImplemented",
  503: "ServiceUnavailable",
};

/**
 * A minimal S3 client for one bucket.
 *
 * @example
 * ```ts ignore
 * import { S3Client } from "./_s3_client.ts";
 * const s3 = new S3Client({ endpoint: "http://127.0.0.1:7480", region: "us-east-1", bucket: "profiles",
 *   accessKeyId: "key", secretAccessKey: "secret" });
 * console.log(await s3.list("pprof/"));
 * ```
 */
export class S3Client {
  #aws: AwsClient;
  #fetch: FetchLike;
  #base: URL;
  #bucket: string;
  #pathStyle: boolean;
  #timeoutMs: number;

  /** @param options Connection settings. */
  constructor(options: S3ClientOptions) {
    this.#aws = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
      service: "s3",
      region: options.region,
      retries: 0,
    });
    this.#fetch = options.fetch ?? ((request) => fetch(request));
    this.#base = new URL(options.endpoint);
    this.#bucket = options.bucket;
    this.#pathStyle = options.pathStyle ?? true;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** The bucket's name. */
  get bucket(): string {
    return this.#bucket;
  }

  /**
   * The URL of an object (or of the bucket, for `key` = `""`).
   *
   * @param key Object key, unescaped.
   * @returns The request URL.
   */
  url(key: string): URL {
    const path = this.#base.pathname.replace(/\/+$/, "");
    const encoded = key.split("/").map(encodeRfc3986).join("/");
    if (this.#pathStyle) {
      return new URL(`${this.#base.origin}${path}/${this.#bucket}/${encoded}`);
    }
    return new URL(`${this.#base.protocol}//${this.#bucket}.${this.#base.host}${path}/${encoded}`);
  }

  /**
   * Sends one signed request. Resolves with any HTTP response; rejects only
   * on network errors and timeouts.
   *
   * @param method HTTP method.
   * @param url Request URL from {@linkcode S3Client.url}.
   * @param init Headers and body.
   * @returns The response.
   */
  async send(
    method: string,
    url: URL,
    init: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    const request = await this.#aws.sign(url.toString(), {
      method,
      headers: init.headers,
      body: init.body as BodyInit | undefined,
      signal: this.#timeoutMs > 0 ? AbortSignal.timeout(this.#timeoutMs) : undefined,
    });
    return await this.#fetch(request);
  }

  /**
   * Turns a non-2xx response into an {@linkcode S3Error}, reading S3's
   * `<Code>` and `<Message>` from the body.
   *
   * @param response The failed response (its body is consumed).
   * @param action What was attempted, e.g. `Cannot upload bundle to s3://b/k`.
   * @returns The error.
   */
  async error(response: Response, action: string): Promise<S3Error> {
    const text = await response.text().catch(() => "");
    const code = xmlText(text, "Code") ?? STATUS_CODES[response.status] ?? `Http${response.status}`;
    const message = xmlText(text, "Message");
    const requestId = xmlText(text, "RequestId") ?? response.headers.get("x-amz-request-id") ?? undefined;
    return new S3Error(`${action}: ${response.status} ${code}${message ? `: ${message}` : ""}`, {
      status: response.status,
      code,
      requestId,
    });
  }

  /**
   * Reads an object's headers; `undefined` if it does not exist.
   *
   * @param key Object key.
   * @returns The response headers, or `undefined` on 404.
   * @throws {S3Error} On any other error status.
   */
  async head(key: string): Promise<Headers | undefined> {
    const res = await this.send("HEAD", this.url(key));
    await res.body?.cancel();
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.error(res, `Cannot read s3://${this.#bucket}/${key}`);
    return res.headers;
  }

  /**
   * Reads a whole object.
   *
   * @param key Object key.
   * @param onProgress Called as the body arrives, with bytes so far and the total (if known).
   * @returns The object's bytes.
   * @throws {S3Error} On an error status (404: `NoSuchKey`).
   */
  async get(key: string, onProgress?: (bytes: number, total: number | undefined) => void): Promise<Uint8Array> {
    const res = await this.send("GET", this.url(key));
    if (!res.ok) throw await this.error(res, `Cannot read s3://${this.#bucket}/${key}`);
    if (onProgress === undefined || res.body === null) return new Uint8Array(await res.arrayBuffer());
    const length = Number(res.headers.get("content-length") ?? NaN);
    const total = Number.isSafeInteger(length) ? length : undefined;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress(received, total);
    }
    const out = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * Deletes an object (no error if it does not exist).
   *
   * @param key Object key.
   * @throws {S3Error} On an error status.
   */
  async delete(key: string): Promise<void> {
    const res = await this.send("DELETE", this.url(key));
    if (!res.ok) throw await this.error(res, `Cannot delete s3://${this.#bucket}/${key}`);
    await res.body?.cancel();
  }

  /**
   * Lists every object under a prefix (ListObjectsV2, following
   * continuation tokens).
   *
   * @param prefix Key prefix.
   * @param onPage Called after each page with the number of objects so far.
   * @returns The objects, in key order.
   * @throws {S3Error} On an error status.
   * @throws {SyntaxError} If a response is not a usable listing.
   */
  async list(prefix: string, onPage?: (seen: number) => void): Promise<S3Object[]> {
    const out: S3Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, token);
      out.push(...page.objects);
      onPage?.(out.length);
      token = page.next;
    } while (token !== undefined);
    return out;
  }

  /**
   * Lists one page (up to 1000 objects) under a prefix.
   *
   * @param prefix Key prefix.
   * @param token Continuation token from the previous page.
   * @param maxKeys Most objects on the page (S3's default and cap: 1000).
   * @returns The page's objects and the next token.
   * @throws {S3Error} On an error status.
   * @throws {SyntaxError} If the response is not a usable listing.
   */
  async listPage(prefix: string, token?: string, maxKeys?: number): Promise<ListPage> {
    const url = this.url("");
    url.searchParams.set("list-type", "2");
    url.searchParams.set("prefix", prefix);
    if (token !== undefined) url.searchParams.set("continuation-token", token);
    if (maxKeys !== undefined) url.searchParams.set("max-keys", String(maxKeys));
    const res = await this.send("GET", url);
    if (!res.ok) throw await this.error(res, `Cannot list s3://${this.#bucket}/${prefix}`);
    return parseListObjectsV2(await res.text());
  }

  /**
   * Reads part of an object (an HTTP range request).
   *
   * @param key Object key.
   * @param offset First byte.
   * @param length Most bytes to read.
   * @returns The bytes (fewer at the end of the object).
   * @throws {S3Error} On an error status.
   */
  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    const res = await this.send("GET", this.url(key), { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
    if (res.status === 416) {
      await res.body?.cancel();
      return new Uint8Array(0);
    }
    if (!res.ok) throw await this.error(res, `Cannot read s3://${this.#bucket}/${key}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A server that ignores Range sends the whole object (200).
    return res.status === 206 ? bytes.subarray(0, length) : bytes.subarray(offset, offset + length);
  }
}

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!m) return undefined;
  return m[1]!.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
    if (e[0] !== "#") return named[e.toLowerCase()]!;
    const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    // An error body is only read for its message: keep a bad reference as is.
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : `&${e};`;
  });
}

function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Hex SHA-256 of some bytes, for `x-amz-content-sha256`.
 *
 * @param bytes Data.
 * @returns 64 lower-case hex digits.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
