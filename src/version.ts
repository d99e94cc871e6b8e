/** This library's version, the one in package.json (test/sysapi.test.ts checks they agree). A
 *  const enum: the text is written where it is used, costing no JsVar on a board. */
export const enum Library { VERSION = '0.1.0' }
