import { clientSuite } from './support/client-suite.js';
import { startTinyTarget } from './support/tiny-target.js';

clientSuite('tiny-couch', startTinyTarget);
