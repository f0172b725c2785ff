declare module 'opencc-js/dict/TSCharacters' {
  const dict: string;
  export default dict;
}
declare module 'opencc-js/dict/TWPhrasesRev' {
  const dict: string;
  export default dict;
}
