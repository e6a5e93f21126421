import { defineShredder } from './define';

/** Present for pretix clients; a no-op while tixport renders no ticket files, so none are cached. */
export default defineShredder({
  identifier: 'cachedtickets',
  verboseName: 'Cached ticket files',
  description: 'This will remove all cached ticket files. No download will be offered.',
});
