// `/`: the pod list (the same page as `/pods`).
export { default } from './pods/page';
