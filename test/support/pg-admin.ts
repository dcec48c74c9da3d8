// Shared with `npm run soak`, which builds only src/, libs/ and bench/.
export { createScratchDatabase } from '../../bench/scratch-database.js';
