/** Imports every type file (each registers its types and root fields on the builder) and exports the schema. */
import { builder } from './builder.js';
import './scalars.js';

export const schema = builder.toSchema({ sortSchema: true });
