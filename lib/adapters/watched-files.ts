import fs from "node:fs";
import path from "node:path";

/**
 * The files a connection reads its credentials from (kubeconfigs, client
 * certificates, CAs, token files), as they were when read. `changed()` says
 * whether any of them is another file now: rotated in place, replaced by a
 * rename (as editors, kubectl and Kubernetes' projected volumes do), created
 * or removed.
 */
export class FileStamps {
  private readonly stamps: Map<string, string>;

  constructor(readonly paths: readonly string[]) {
    this.stamps = new Map(paths.map((p) => [p, stampOf(p)]));
  }

  changed(): boolean {
    for (const [file, stamp] of this.stamps) if (stampOf(file) !== stamp) return true;
    return false;
  }
}

function stampOf(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/** Quiet time after the last file event: a rewrite is often several events (truncate, write, rename). */
const SETTLE_MS = 100;

/**
 * Calls `onChange` shortly after any of `paths` changes, until `signal`
 * aborts. Watches each file's directory, not the file: a file replaced by a
 * rename is a new inode that a watch on the old one would never report.
 * Callers still compare FileStamps before acting, since directories report
 * their other files too; where the platform cannot watch, nothing is called
 * and the comparison on use still catches the change.
 */
export function watchFiles(paths: readonly string[], onChange: () => void, signal: AbortSignal): void {
  const byDir = new Map<string, Set<string>>();
  for (const p of paths) {
    const dir = path.dirname(p);
    byDir.set(dir, (byDir.get(dir) ?? new Set()).add(path.basename(p)));
  }
  let timer: NodeJS.Timeout | null = null;
  const changed = () => {
    if (timer) timer.refresh();
    else
      timer = setTimeout(() => {
        timer = null;
        if (!signal.aborted) onChange();
      }, SETTLE_MS);
  };
  const watchers: fs.FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        // Kubernetes' projected volumes swap a "..data" symlink: any name may mean our file changed.
        if (!name || names.has(name.toString()) || name.toString().startsWith("..")) changed();
      });
      watcher.on("error", () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A missing directory: the file cannot appear without it, and FileStamps compares on use.
    }
  }
  signal.addEventListener(
    "abort",
    () => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
    { once: true },
  );
}
