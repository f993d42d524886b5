// Crash-safe persistence of the configuration in DATA/config.json. A save writes a temp file,
// fsyncs it, renames it over the old file and fsyncs the directory, so a kill -9 or power loss
// at any moment leaves either the old or the new file, never a mix (rename(2) is atomic within a
// filesystem; the directory fsync makes the rename itself durable). A file that is damaged anyway
// (bad sector, hand edit) is moved aside and the router starts from defaults instead of not at all.
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigModel, type ConfigData, type ModelOptions } from './model.js';
import { ValueError } from './types.js';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';

export const CONFIG_FILE = 'config.json';

export interface LoadResult {
  readonly model: ConfigModel;
  /** Set when the stored file was damaged: what happened, for the console and the log. */
  readonly notice?: string;
}

export class ConfigStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, CONFIG_FILE);
  }

  load(options: ModelOptions = {}): LoadResult {
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(this.file)) return { model: new ConfigModel(options) };
    let problem: string;
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      const model = ConfigModel.fromData(parsed, options);
      if (!(model instanceof ValueError)) {
        // Plain-text passwords of an older configuration were hashed: they leave the disk now.
        if (model.migrated) this.save(model.snapshot());
        const notes = model.migrationNotes;
        return notes.length ? { model, notice: `configuration upgraded: ${notes.join('; ')}` } : { model };
      }
      problem = model.message;
    } catch (e) {
      problem = `configuration is damaged: ${(e as Error).message}`;
    }
    const aside = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.file, aside);
    fsyncDir(this.dir);
    return {
      model: new ConfigModel(options),
      notice: `${problem}; kept it as ${aside} and started with the default configuration`,
    };
  }

  save(data: ConfigData): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 1) + '\n');
  }

  /** Saves now and after every change of the model. Returns the unsubscribe function. */
  attach(model: ConfigModel, onError: (e: Error) => void): () => void {
    return model.onChange(() => {
      try {
        this.save(model.snapshot());
      } catch (e) {
        onError(e as Error);
      }
    });
  }
}
