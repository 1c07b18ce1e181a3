// ES module entry of libmigrate: the same two functions as index.js.
import cjs from './index.js';

export const load = cjs.load;
export const getLoadablePath = cjs.getLoadablePath;
export default cjs;
