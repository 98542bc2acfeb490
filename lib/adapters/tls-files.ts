import { readFileSync } from "node:fs";
import type { Agent } from "undici";
import { AdapterError } from "./errors";
import { FileStamps } from "./watched-files";

export interface TlsFilePaths {
  ca?: string | null;
  cert?: string | null;
  key?: string | null;
}

export interface TlsPem {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const WHAT = { ca: "CA", cert: "client certificate", key: "client key" } as const;

/**
 * An HTTP agent built from TLS files and built again when any of them
 * changes: certificates are rotated in place (cert-manager, Vault, a new
 * DOCKER_CERT_PATH bundle) and a restart must not be needed to follow. The
 * old agent is closed gracefully: requests already on it finish.
 *
 * A file that cannot be read is an AdapterError "unreachable" naming it (the
 * path is configuration, the content never leaves here): without it no
 * connection can be made.
 */
export class TlsFileAgent {
  private current: { agent: Agent; stamps: FileStamps } | null = null;

  constructor(
    private readonly paths: TlsFilePaths,
    private readonly build: (pem: TlsPem) => Agent,
    /** Names the files in errors, e.g. "TLS" or "Nomad". */
    private readonly label: string,
  ) {}

  get(): Agent {
    if (this.current && !this.current.stamps.changed()) return this.current.agent;
    const files = (Object.keys(WHAT) as (keyof TlsFilePaths)[]).flatMap((k) => (this.paths[k] ? [[k, this.paths[k]] as const] : []));
    // Stamped before reading: a file that changes while it is read is read again next time.
    const stamps = new FileStamps(files.map(([, file]) => file));
    const pem: TlsPem = {};
    for (const [k, file] of files) pem[k] = this.read(file, WHAT[k]);
    const previous = this.current;
    this.current = { agent: this.build(pem), stamps };
    void previous?.agent.close().catch(() => undefined);
    return this.current.agent;
  }

  async close(): Promise<void> {
    const previous = this.current;
    this.current = null;
    await previous?.agent.close().catch(() => undefined);
  }

  private read(file: string, what: string): Buffer {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new AdapterError(
        "unreachable",
        `cannot read the ${this.label} ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
}
