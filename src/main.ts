// Entry point of the static app: installs the Trusted Types policy for worker URLs, then mounts the Svelte shell.
import './ui/trusted-types';
import { mount } from 'svelte';
import App from './ui/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html is missing <div id="app">; restore it so the app can mount');
export default mount(App, { target });
