// Entry point of the static app: installs the Trusted Types policy for worker URLs, decides where runs are kept (the
// browser's IndexedDB, or this tab's memory when the browser refuses storage), then mounts the Svelte shell.
import './ui/trusted-types';
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { prepareStorage } from './ui/state/storage-mode';

const target = document.getElementById('app');
if (!target) throw new Error('index.html is missing <div id="app">; restore it so the app can mount');
await prepareStorage();
export default mount(App, { target });
