export * from './fs.js';
export * from './net_dev.js';
