declare module 'opencc-js/dict/TSCharacters' {
  const dict: string;
  export default dict;
}
