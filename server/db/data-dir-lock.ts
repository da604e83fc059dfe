// PGlite keeps its files in one folder that a single process may open. A second process on the
// same DATA_DIR would corrupt it, so it is refused with a message instead.
import fs from "node:fs";
import path from "node:path";

export class DataDirBusyError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `DATA_DIR ${dir} is already used by another Maillage process (pid ${pid}); stop it first`,
    );
    this.name = "DataDirBusyError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireDataDirLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "maillage.lock");
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
      if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) {
        throw new DataDirBusyError(dataDir, pid);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}
