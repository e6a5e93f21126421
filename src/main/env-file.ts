import path from 'node:path';

/**
 * Reads `.env` in the working directory (the project root under `npm run`) into process.env, as .env.example
 * promises. Keys already in the environment win (Node's loadEnvFile never overwrites them); the values are then
 * validated by loadConfig like any other. A missing file is fine: nothing is required.
 */
export function loadEnvFile(file = path.resolve('.env')): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
